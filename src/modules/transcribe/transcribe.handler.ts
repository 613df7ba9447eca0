import { HandlesJob, type Job, type JobContext, type JobHandler, type JobOutcome } from '../../core/jobs/job-handler.js';
import { TranscriberService } from './transcriber.service.js';
import { withoutWords } from './transcript-formats.js';

/**
 * A transcription job. It was charged what the plan reserved; it costs what making the
 * transcript cost (nothing for one the account owns, the minutes of speech it recognized).
 */
@HandlesJob('transcribe')
export class TranscribeHandler implements JobHandler<'transcribe'> {
  constructor(private readonly transcriber: TranscriberService) {}

  async run(job: Job<'transcribe'>, ctx: JobContext): Promise<JobOutcome<'transcribe'>> {
    const input = job.input;
    const produced = await this.transcriber.produce(job, input, ctx);
    ctx.progress(95);
    const output = await this.transcriber.storeTranscript(ctx, produced.transcript, input.format, input.filename ?? 'transcript');
    const transcript = input.timestamps === 'word' ? produced.transcript : withoutWords(produced.transcript);
    return {
      result: { ...transcript, truncated_at: transcript.truncated_at ?? null, format: input.format, reused: produced.reused, metadata: input.metadata ?? null },
      outputs: [output],
      cost: produced.price,
      settle: produced.own,
    };
  }
}
