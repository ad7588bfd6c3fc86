import { addCases } from './add';
import { capabilityCases } from './capabilities';
import { checkCases } from './check';
import { delCases } from './del';
import { edgeCases } from './edge';
import { environmentCases } from './environment';
import { invocationCases } from './invocation';
import { lifecycleCases } from './lifecycle';
import { stdinCases } from './stdin';
import type { Case } from './types';
import { v11Cases } from './v11';
import { versionCases } from './version';

/** Every case, in checklist order; aggregate cases are run last by the runner. */
export const ALL_CASES: readonly Case[] = [
  ...invocationCases,
  ...environmentCases,
  ...stdinCases,
  ...versionCases,
  ...addCases,
  ...delCases,
  ...checkCases,
  ...capabilityCases,
  ...lifecycleCases,
  ...v11Cases,
  ...edgeCases,
];
