export const DOWNLOAD_FORMATS = ['mp4', 'webm', 'mkv', 'mov', 'mp3', 'm4a', 'wav', 'ogg', 'opus', 'flac'] as const;

export type DownloadFormat = (typeof DOWNLOAD_FORMATS)[number];

export const AUDIO_FORMATS: ReadonlySet<DownloadFormat> = new Set(['mp3', 'm4a', 'wav', 'ogg', 'opus', 'flac']);
