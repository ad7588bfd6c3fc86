/** Who we are, without loading the plugin: `--version` and CNI VERSION print only this (plugin/entry.ts). */
export const PLUGIN_VERSION = '0.1.0';
export const ABOUT = `nat-cni ${PLUGIN_VERSION}: CNI NAT plugin for Windows containers on the Host Networking Service (Node.js ${process.version})`;
