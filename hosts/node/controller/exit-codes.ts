// The controller's exit codes, for scripts (the usage text lists them too).

export const EXIT = {
  /** Done; a reply that does not start with "error". */
  done: 0,
  /** The device answered "error: ..." (or refused a subscription). */
  refused: 1,
  /** The command line or a setting is wrong; nothing was sent. */
  usage: 2,
  /** No reply or no receipt within `timeout`. */
  timeout: 3,
  /** The device is offline, or we cannot see its presence. */
  offline: 4,
  /** The hub could not be reached, refused the login, or the connection failed. */
  login: 5,
} as const;
