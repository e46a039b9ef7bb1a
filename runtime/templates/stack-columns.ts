// Stack id columns (tp_events' "kstack"/"ustack", agg_tp's and agg_fn's stack
// keys) as plans lay them out; runs/stack-names.ts names the ids.

/** The opt-in stack columns / keys: a kernel or a user stack of the current task. */
export const STACK_NAMES = ["kstack", "ustack"] as const;
export type StackName = (typeof STACK_NAMES)[number];

export function isStackName(name: string): name is StackName {
  return (STACK_NAMES as readonly string[]).includes(name);
}

/** Stack ids a plan records: the map they index and the columns that hold them. */
export interface StackColumnsPlan {
  map: string;
  /** Columns of stack ids (s32; negative: no stack) to replace by their folded text. */
  columns: StackName[];
  /** The column with each row's process id: user frames are named through its memory maps. */
  pidColumn: string;
}

/** Entries of a stack map in use: distinct stacks beyond this are lost (their id is -EEXIST/-ENOMEM). */
export const STACK_MAP_ENTRIES = 8192;
