/** Small helpers the operator commands share. */
export const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));
