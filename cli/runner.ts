/** Commands hand their promise of an exit code to the runner; main() awaits it and maps errors. */
export type Runner = (code: Promise<number>) => void;
