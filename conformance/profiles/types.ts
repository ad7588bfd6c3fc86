/**
 * A profile tells the suite how to talk to one kind of plugin: how to make a valid configuration,
 * what "the container" is, and how to look at the state the plugin manages (so that DEL, GC and
 * failed calls can be judged by their effects, not only by their output).
 */
import type { CodeRule } from '../judge';
import type { Invocation, StdinSource } from '../invoke';

export interface Container {
  containerId: string;
  /** The CNI_NETNS value a runtime would pass for this container. */
  netns: string;
}

export type JsonObject = Record<string, unknown>;

export interface InvalidConfig {
  label: string;
  config: JsonObject;
  codes: CodeRule;
}

/** Runs the plugin with the suite's default environment for `command`, overridden by `env`. */
export type Runner = (command: string, stdin: StdinSource, c: Container, env?: Record<string, string | null>) => Promise<Invocation>;

export interface ProfileSession {
  readonly profile: 'generic' | 'nat';
  /**
   * 'ipam' plugins answer with the abbreviated result of a delegated plugin (SPEC §5 "Delegated
   * plugins": no interfaces) and are not chained, so interface and prevResult pass-through cases skip.
   */
  readonly kind: 'ipam' | 'interface';
  /** Extra environment every invocation gets (e.g. the HNS backend selector). */
  readonly env: Record<string, string>;
  config(version: string, network: string): JsonObject;
  newContainer(tag: string): Promise<Container>;
  /** A CNI_NETNS value naming a namespace that does not exist (any more). */
  goneNetns(): Promise<string>;
  /** Whether footprint() can see what the plugin creates. */
  readonly observes: boolean;
  /** Descriptions of the resources that belong to this container's attachment; [] when none. */
  footprint(c: Container, network: string): Promise<string[]>;
  /** What is wrong with the attachment a successful ADD made, if the profile knows its exact shape. */
  attachmentProblems?(c: Container): Promise<string | undefined>;
  /** The whole managed state in a comparable form (C-77: failed calls change nothing). */
  snapshot(): Promise<string>;
  /** Removes the attachment's resources behind the plugin's back (C-67), if the profile can. */
  removeOutOfBand?(c: Container, network: string): Promise<void>;
  /** Makes the next ADD for `c` fail after the plugin has started working (C-52, C-60), if it can. */
  provokeAddFailure?(version: string, network: string, c: Container, run: Runner): Promise<{ config: JsonObject; undo(): Promise<void> }>;
  /** Configurations the plugin must reject as invalid (C-28). */
  invalidConfigs(version: string, network: string): InvalidConfig[];
  /** A short account of the session for the report header. */
  describe(): string;
  close(): Promise<void>;
}
