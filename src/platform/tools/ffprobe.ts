export interface ProbedMedia {
  formatName: string;
  duration: number | null;
  size: number | null;
  bitRate: number | null;
  video: { codec: string; width: number; height: number; fps: number | null } | null;
  audio: { codec: string; channels: number; sampleRate: number; bitRate: number | null } | null;
}

export function probeArgs(input: string): string[] {
  return ['-hide_banner', '-loglevel', 'error', '-print_format', 'json', '-show_format', '-show_streams', '-i', input];
}

interface FfprobeJson {
  format?: { format_name?: string; duration?: string; size?: string; bit_rate?: string };
  streams?: Array<{
    codec_type?: string;
    codec_name?: string;
    width?: number;
    height?: number;
    avg_frame_rate?: string;
    channels?: number;
    sample_rate?: string;
    bit_rate?: string;
    disposition?: { attached_pic?: number };
  }>;
}

function num(value: string | undefined): number | null {
  if (value === undefined) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

function fps(rate: string | undefined): number | null {
  if (!rate) return null;
  const [a, b] = rate.split('/').map(Number);
  return a && b ? Math.round((a / b) * 100) / 100 : null;
}

export function parseProbe(json: string): ProbedMedia | null {
  let data: FfprobeJson;
  try {
    data = JSON.parse(json) as FfprobeJson;
  } catch {
    return null;
  }
  if (!data.format?.format_name) return null;
  const streams = data.streams ?? [];
  const v = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  const a = streams.find((s) => s.codec_type === 'audio');
  return {
    formatName: data.format.format_name,
    duration: num(data.format.duration),
    size: num(data.format.size),
    bitRate: num(data.format.bit_rate),
    video: v?.codec_name ? { codec: v.codec_name, width: v.width ?? 0, height: v.height ?? 0, fps: fps(v.avg_frame_rate) } : null,
    audio: a?.codec_name
      ? { codec: a.codec_name, channels: a.channels ?? 0, sampleRate: num(a.sample_rate) ?? 0, bitRate: num(a.bit_rate) }
      : null,
  };
}

/** ffmpeg `-progress` output: `out_time_us=…` lines → seconds done. */
export function parseFfmpegProgress(line: string): number | null {
  const m = /^out_time_(?:us|ms)=(\d+)$/.exec(line.trim());
  return m ? Number(m[1]) / 1e6 : null;
}
