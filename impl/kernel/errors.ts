/**
 * System-call error codes. Every bad argument gets one, and a call that
 * returns an error has changed nothing (tests compare whole-state encodings
 * before and after).
 */
export enum SyscallError {
  Ok = 0,
  /** The region number is outside 0..regions-1. */
  BadRegion = 1,
  /** The page number is outside 0..pagesPerRegion-1. */
  BadPage = 2,
  /** No such task. */
  BadTask = 3,
  /** No such thread. */
  BadThread = 4,
  /** The named manager is not a pager thread. */
  NotAPager = 5,
  /** The caller is not the manager of that region. */
  NotManager = 6,
  /** No such frame. */
  BadFrame = 7,
  /** The frame is not owned by the caller. */
  NotOwner = 8,
  /** Rights are neither read-only nor read-write, or too weak for the fault being resolved. */
  BadRights = 9,
  /** The marker does not fit in 31 bits. */
  BadMarker = 10,
  /** The page is not mapped (nothing to unmap; nothing to resume). */
  NotMapped = 11,
  /** The region already has this manager. */
  AlreadyManager = 12,
  /** The region has no manager. */
  NoManager = 13,
  /** The thread is not blocked on a fault whose reply the caller holds. */
  NoSuchFault = 14,
  /** The call is not part of this architecture. */
  NotSupported = 15,
  /** The call number is unknown or an argument is not a 32-bit integer. */
  BadCall = 16,
  /**
   * L4 + L4Re: the region mapper's answer to a fault it has not decided yet
   * is not what its region table says (the zero level's classification run
   * on that table). The region mapper is its task's trusted runtime; the
   * kernel holding it to its table is what lets a task rely on it.
   */
  NotTheDecision = 17,
}

export const errorName = (code: SyscallError): string => SyscallError[code] ?? `error ${code}`;
