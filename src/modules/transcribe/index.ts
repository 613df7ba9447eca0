/** What other modules may use of the transcribe module. */
export { TranscribeModule } from './transcribe.module.js';
export { TranscribeService } from './transcribe.service.js';
export { TranscriberService, type ProducedTranscript } from './transcriber.service.js';
export type { Transcript, TranscribeJobInput } from './transcribe.job.js';
export { fullText, TRANSCRIPT_FORMATS, withoutWords, type TranscriptFormat } from './transcript-formats.js';
export { TranscriptResultDto } from './dto/transcribe-job.dto.js';
