/**
 * `@tsmpi/runtime/terminal`: facts about where a rank's output goes, for programs that draw
 * progress bars or colours. Not part of the message-passing API.
 */
export { stdoutIsTerminal } from "./env.ts";
