import type { Comment, CommentSort } from './comments.job.js';

interface Node {
  comment: Comment;
  thread: Thread;
  parent: Node | null;
  children: Node[];
  /** Arrival order, among every comment read. */
  seq: number;
}

interface Thread {
  root: Node;
  /** Its comments in arrival order: the last one is always a leaf (a reply arrives after its parent). */
  nodes: Node[];
  /** Position in the heap of threads, worst first. */
  at: number;
}

export interface SelectionLimits {
  maxComments: number;
  sort: CommentSort;
  includeReplies: boolean;
  maxRepliesPerThread: number | null;
}

/** What was read and what was kept. */
export interface SelectionCounts {
  read: number;
  returned: number;
  threads: number;
}

const time = (c: Comment) => (c.timestamp === null ? -Infinity : Date.parse(c.timestamp));

/**
 * The comments to return, chosen while they stream in and never more than `maxComments` held:
 * whole threads in the requested order (`top`: pinned first, then by likes; `new`: newest
 * first), each a root followed by its replies, the last thread cut short when the cap falls
 * inside it. A reply is kept only with its parent, so every kept reply's parent is kept too.
 *
 * When the cap is reached, a better thread's comment takes the place of the worst thread's
 * latest comment (its latest reply, and its root last); a comment that would itself be the
 * worst is dropped. Threads are ranked by their root, so the threads returned are those that
 * ranking every thread the site gave would put first, in memory that grows with the cap only;
 * within a thread (and per `maxRepliesPerThread`) the replies read first are the ones kept.
 */
export class CommentSelection {
  private readonly nodes = new Map<string, Node>();
  /** Binary heap of the kept threads, the worst at the top. */
  private readonly heap: Thread[] = [];
  private kept = 0;
  private read = 0;

  constructor(private readonly limits: SelectionLimits) {}

  /** The next comment in the site's order. */
  add(comment: Comment): void {
    const seq = this.read++;
    if (this.nodes.has(comment.id)) return; // a site that repeats a comment: the first one counts
    if (comment.parent_id === null) this.addRoot(comment, seq);
    else this.addReply(comment, seq);
  }

  private addRoot(comment: Comment, seq: number): void {
    const candidate = { comment, seq };
    if (this.kept >= this.limits.maxComments) {
      const worst = this.heap[0];
      if (!worst || !this.better(candidate, worst.root)) return;
      this.evictOne();
    }
    const thread = { nodes: [], at: -1 } as unknown as Thread;
    const node: Node = { comment, thread, parent: null, children: [], seq };
    thread.root = node;
    thread.nodes.push(node);
    this.nodes.set(comment.id, node);
    this.kept++;
    this.heapPush(thread);
  }

  private addReply(comment: Comment, seq: number): void {
    if (!this.limits.includeReplies) return;
    const parent = this.nodes.get(comment.parent_id!);
    if (!parent) return; // its parent was never kept (or came later): the reply cannot be placed
    const thread = parent.thread;
    const perThread = this.limits.maxRepliesPerThread;
    if (perThread !== null && thread.nodes.length - 1 >= perThread) return;
    if (this.kept >= this.limits.maxComments) {
      // It would be its thread's latest comment: only a better thread's comment displaces another.
      if (this.heap[0] === thread) return;
      this.evictOne();
    }
    const node: Node = { comment, thread, parent, children: [], seq };
    parent.children.push(node);
    thread.nodes.push(node);
    this.nodes.set(comment.id, node);
    this.kept++;
  }

  /** Drops the worst thread's latest comment (a leaf), and the thread when that was its root. */
  private evictOne(): void {
    const worst = this.heap[0]!;
    const node = worst.nodes.pop()!;
    this.nodes.delete(node.comment.id);
    this.kept--;
    if (node.parent) node.parent.children.pop();
    else this.heapPopWorst();
  }

  /** Whether a thread rooted at `a` comes before one rooted at `b` in the requested order. */
  private better(a: { comment: Comment; seq: number }, b: { comment: Comment; seq: number }): boolean {
    const x = a.comment;
    const y = b.comment;
    if (this.limits.sort === 'top') {
      if (x.pinned !== y.pinned) return x.pinned;
      if (x.likes !== y.likes) return x.likes > y.likes;
    }
    const tx = time(x);
    const ty = time(y);
    if (tx !== ty) return tx > ty;
    return a.seq < b.seq;
  }

  counts(): SelectionCounts {
    return { read: this.read, returned: this.kept, threads: this.heap.length };
  }

  /** The kept comments in order: threads in the requested order, each root followed by its replies (oldest first, each before its own replies). */
  *ordered(): Generator<Comment> {
    const threads = this.heap.slice().sort((a, b) => (this.better(a.root, b.root) ? -1 : 1));
    const byTime = (a: Node, b: Node) => time(a.comment) - time(b.comment) || a.seq - b.seq;
    for (const thread of threads) {
      const stack: Node[] = [thread.root];
      while (stack.length) {
        const node = stack.pop()!;
        yield node.comment;
        const children = node.children.slice().sort(byTime);
        for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
      }
    }
  }

  // The heap keeps the worst thread at index 0: a parent is never better than its children.

  private worse(a: Thread, b: Thread): boolean {
    return this.better(b.root, a.root);
  }

  private heapPush(thread: Thread): void {
    thread.at = this.heap.length;
    this.heap.push(thread);
    this.siftUp(thread.at);
  }

  private heapPopWorst(): void {
    const last = this.heap.pop()!;
    if (this.heap.length === 0) return;
    this.heap[0] = last;
    last.at = 0;
    this.siftDown(0);
  }

  private siftUp(i: number): void {
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (!this.worse(this.heap[i]!, this.heap[up]!)) return;
      this.swap(i, up);
      i = up;
    }
  }

  private siftDown(i: number): void {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let w = i;
      if (l < this.heap.length && this.worse(this.heap[l]!, this.heap[w]!)) w = l;
      if (r < this.heap.length && this.worse(this.heap[r]!, this.heap[w]!)) w = r;
      if (w === i) return;
      this.swap(i, w);
      i = w;
    }
  }

  private swap(i: number, j: number): void {
    const a = this.heap[i]!;
    const b = this.heap[j]!;
    this.heap[i] = b;
    this.heap[j] = a;
    a.at = j;
    b.at = i;
  }
}
