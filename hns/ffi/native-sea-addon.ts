/**
 * Stands in for `@koromix/koffi-win32-x64` in nat.exe (tools/exe/build.sh aliases it here): koffi
 * requires that package and expects the addon's exports as the module's exports.
 */
import { loadKoffiAddonFromSea } from './native-sea';

export = loadKoffiAddonFromSea();
