/** Entry point of the `leakproof` command. */
export function main(_argv: string[]): Promise<number> {
  return Promise.resolve(0);
}
