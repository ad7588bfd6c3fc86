/** The CniError a call throws; fails the test when it throws nothing or something else. */
import { CniError } from '../../spec/errors';

export function errorOf(f: () => unknown): CniError {
  try {
    f();
  } catch (e) {
    if (e instanceof CniError) return e;
    throw e;
  }
  throw new Error('no error thrown');
}
