/** A problem with the arguments or configuration: exit code 2, message on stderr. */
export class CliUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
