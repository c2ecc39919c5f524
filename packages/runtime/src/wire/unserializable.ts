/** Why a value cannot be encoded; the caller turns it into a TsmpiError naming rank and call. */
export class UnserializableError extends Error {}
