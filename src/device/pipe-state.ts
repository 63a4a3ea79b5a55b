import type { PipeConfig } from "../core/index.js";
import type { PipeDecl } from "./pipe-decl.js";

/** A pipe of one device: its declaration and the label and description it has now (SetPipeConfig). @internal */
export class PipeState {
  readonly decl: PipeDecl;
  label: string;
  description: string;

  constructor(decl: PipeDecl) {
    this.decl = decl;
    this.label = decl.label;
    this.description = decl.description;
  }

  /** Its configuration as get_pipe_config_5 gives it. */
  config(): PipeConfig {
    const d = this.decl;
    return { name: d.name, label: this.label, description: this.description, level: d.level, writable: d.writable };
  }
}
