import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '.fixtures');
const VERSION = '5';

/** What the speech fixture says (ffmpeg's flite voice, which pocketsphinx reads well). */
export const SPEECH_TEXT =
  'Good morning. This recording was made to test the speech recognition of the media service. ' +
  'The weather today is sunny and warm, and the market opens at nine in the morning.';

const ffmpeg = (args) =>
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args], { cwd: FIXTURE_DIR, stdio: 'inherit' });

const VTT = `WEBVTT

00:00:00.500 --> 00:00:02.500
Hello from the fixture captions.

00:00:03.000 --> 00:00:05.500
This line is the second cue.
`;

/**
 * Media fixtures, made with ffmpeg in a few seconds and reused while VERSION is unchanged:
 * a direct mp4; HTML pages with <video>, og:title, <track>, and two videos; an HLS master with
 * 360p and 720p video-only renditions, a separate audio rendition and a WebVTT subtitle track.
 */
export function makeFixtures() {
  mkdirSync(FIXTURE_DIR, { recursive: true });
  const stamp = path.join(FIXTURE_DIR, 'VERSION');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === VERSION) return;
  const src = ['-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100'];
  ffmpeg([...src, '-t', '6', '-vf', 'scale=640:360', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '25', '-c:a', 'aac', '-b:a', '96k', '-shortest', '-movflags', '+faststart', 'direct.mp4']);
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=660', '-t', '3', '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-shortest', 'second.mp4']);
  for (const [name, size] of [['v360', '640x360'], ['v720', '1280x720']]) {
    ffmpeg(['-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=25`, '-t', '6', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '50', '-an',
      '-f', 'hls', '-hls_time', '2', '-hls_playlist_type', 'vod', '-hls_segment_filename', `${name}_%03d.ts`, `${name}.m3u8`]);
  }
  ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100', '-t', '6', '-c:a', 'aac', '-b:a', '96k', '-vn',
    '-f', 'hls', '-hls_time', '2', '-hls_playlist_type', 'vod', '-hls_segment_filename', 'audio_%03d.ts', 'audio.m3u8']);
  ffmpeg(['-f', 'lavfi', '-i', `flite=text='${SPEECH_TEXT}':voice=awb`, '-c:a', 'aac', '-b:a', '64k', 'speech.m4a']);
  writeFileSync(path.join(FIXTURE_DIR, 'speech.txt'), SPEECH_TEXT);
  // 30 minutes of a tone that pauses for one second every ten: long enough to need chunks.
  ffmpeg(['-f', 'lavfi', '-i', "aevalsrc='0.5*sin(2*PI*440*t)*lt(mod(t\\,10)\\,9)':s=16000:d=1800", '-ac', '1', '-c:a', 'libopus', '-b:a', '24k', 'tone-30min.ogg']);
  writeFileSync(path.join(FIXTURE_DIR, 'subs.vtt'), VTT);
  writeFileSync(path.join(FIXTURE_DIR, 'subs.m3u8'),
    '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:6.0,\nsubs.vtt\n#EXT-X-ENDLIST\n');
  writeFileSync(path.join(FIXTURE_DIR, 'master.m3u8'), [
    '#EXTM3U',
    '#EXT-X-VERSION:4',
    '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud",NAME="English",LANGUAGE="en",DEFAULT=YES,AUTOSELECT=YES,URI="audio.m3u8"',
    '#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",LANGUAGE="en",DEFAULT=NO,AUTOSELECT=YES,URI="subs.m3u8"',
    '#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360,CODECS="avc1.64001e,mp4a.40.2",AUDIO="aud",SUBTITLES="subs"',
    'v360.m3u8',
    '#EXT-X-STREAM-INF:BANDWIDTH=2500000,RESOLUTION=1280x720,CODECS="avc1.64001f,mp4a.40.2",AUDIO="aud",SUBTITLES="subs"',
    'v720.m3u8',
    '',
  ].join('\n'));
  writeFileSync(path.join(FIXTURE_DIR, 'page.html'), `<!doctype html><html><head>
<title>Fixture Page</title><meta property="og:title" content="Fixture Page Title">
</head><body><video controls src="direct.mp4"><track kind="subtitles" srclang="en" src="subs.vtt"></video></body></html>`);
  writeFileSync(path.join(FIXTURE_DIR, 'two-videos.html'), `<!doctype html><html><head><title>Two videos</title></head>
<body><video src="direct.mp4"></video><video src="second.mp4"></video></body></html>`);
  writeFileSync(stamp, VERSION);
}
