/** Orders of threads: `top` by likes with the pinned first, `new` newest first. */
export const COMMENT_SORTS = ['top', 'new'] as const;
export type CommentSort = (typeof COMMENT_SORTS)[number];

/** What POST /v1/comments accepts. */
export interface CommentsRequest {
  url: string;
  /** The most comments returned, replies included (default 1,000, at most MAX_COMMENTS). */
  max_comments?: number;
  sort?: CommentSort;
  include_replies?: boolean;
  max_replies_per_thread?: number;
  webhook_url?: string;
  metadata?: Record<string, unknown>;
}

/** What a comments job stores at submit: the request with its defaults filled in. */
export type CommentsJobInput = CommentsRequest & {
  max_comments: number;
  sort: CommentSort;
  include_replies: boolean;
};

/** One comment as Mediary returns it, whatever the site. */
export interface Comment {
  id: string;
  /** The comment this one replies to; null for a thread's first comment. */
  parent_id: string | null;
  author: string | null;
  author_id: string | null;
  author_url?: string;
  text: string;
  likes: number;
  /** ISO 8601; null when the site does not say. */
  timestamp: string | null;
  pinned: boolean;
  /** Marked with a heart by the uploader. */
  hearted: boolean;
  by_uploader: boolean;
  /** Present when the site says whether the comment was edited. */
  edited?: boolean;
}

export interface CommentsJobResult {
  /** How many comments the site says the media has; null when it does not say. */
  comment_count: number | null;
  /** Whether the site gave comments at all; false for a site or an extractor without them, or comments turned off. */
  comments_available: boolean;
  returned: number;
  threads: number;
  sort: CommentSort;
  /** The name of the JSON file among `files` that holds every comment returned, in order. */
  comments_file: string;
  metadata: Record<string, unknown> | null;
}

declare module '../../core/jobs/job-types.js' {
  interface JobTypes {
    comments: { input: CommentsJobInput; result: CommentsJobResult };
  }
}
