export function outputPrefix(accountId: string, jobId: string): string {
  return `outputs/${accountId}/${jobId}`;
}

export function filePath(jobId: string, filename: string): string {
  return `/v1/files/${jobId}/${encodeURIComponent(filename)}`;
}
