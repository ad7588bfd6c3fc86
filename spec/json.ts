/**
 * A JSON syntax check that fails with the texts of Go's encoding/json scanner. Go plugins answer
 * malformed stdin with `error unmarshall network config: <scanner error>`; the error `msg` is what
 * runtimes log and what the conformance suite compares with Go plugins, so ours must read the same.
 * It only checks syntax (as Go's `checkValid` does before decoding); JSON.parse builds the value.
 */
import { goQuoteByte } from './gofmt';

/** encoding/json refuses deeper nesting; it also keeps JSON.parse far from V8's recursion limit. */
export const MAX_JSON_DEPTH = 10000;

const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const isHex = (c: number) => isDigit(c) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);

type Container = 'object-key' | 'object-value' | 'array';

class GoSyntaxError extends Error {}

const fail = (c: number, context: string): never => {
  throw new GoSyntaxError(`invalid character ${goQuoteByte(c)} ${context}`);
};

/**
 * Returns Go's error text for the first syntax error in `data`, or undefined when `data` holds
 * exactly one JSON value (surrounded by optional whitespace).
 */
export function goJsonSyntaxError(data: Uint8Array): string | undefined {
  try {
    scan(data);
    return undefined;
  } catch (e) {
    if (e instanceof GoSyntaxError) return e.message;
    throw e;
  }
}

function scan(data: Uint8Array): void {
  const stack: Container[] = [];
  let i = 0;
  const n = data.length;
  const eof = (): never => {
    throw new GoSyntaxError('unexpected end of JSON input');
  };
  const at = (k: number): number => (k < n ? (data[k] as number) : eof());
  const skipSpace = () => {
    while (i < n && isSpace(data[i] as number)) i++;
  };
  const push = (c: Container) => {
    stack.push(c);
    if (stack.length > MAX_JSON_DEPTH) throw new GoSyntaxError('exceeded max depth');
  };

  const literal = (word: string) => {
    for (let k = 1; k < word.length; k++) {
      const c = at(i + k);
      if (c !== word.charCodeAt(k)) fail(c, `in literal ${word} (expecting '${word[k]}')`);
    }
    i += word.length;
  };

  const string = () => {
    i++; // opening quote
    for (;;) {
      const c = at(i);
      if (c === 0x22) {
        i++;
        return;
      }
      if (c === 0x5c) {
        const e = at(i + 1);
        if (e === 0x75) {
          for (let k = 2; k < 6; k++) {
            const h = at(i + k);
            if (!isHex(h)) fail(h, 'in \\u hexadecimal character escape');
          }
          i += 6;
        } else if ('bfnrt\\/"'.includes(String.fromCharCode(e))) {
          i += 2;
        } else {
          fail(e, 'in string escape code');
        }
        continue;
      }
      if (c < 0x20) fail(c, 'in string literal');
      i++;
    }
  };

  // Numbers end at the first byte that cannot continue them; that byte is then judged by the
  // caller as "what follows a value", exactly as Go's stateEndValue does.
  const number = () => {
    if (at(i) === 0x2d) {
      i++;
      const c = at(i);
      if (!isDigit(c)) fail(c, 'in numeric literal');
    }
    if (at(i) === 0x30) i++;
    else while (i < n && isDigit(data[i] as number)) i++;
    if (i < n && data[i] === 0x2e) {
      i++;
      const c = at(i);
      if (!isDigit(c)) fail(c, 'after decimal point in numeric literal');
      while (i < n && isDigit(data[i] as number)) i++;
    }
    if (i < n && (data[i] === 0x65 || data[i] === 0x45)) {
      i++;
      if (at(i) === 0x2b || at(i) === 0x2d) i++;
      const c = at(i);
      if (!isDigit(c)) fail(c, 'in exponent of numeric literal');
      while (i < n && isDigit(data[i] as number)) i++;
    }
  };

  // Reads the start of a value; scalars are consumed whole, containers are opened.
  const beginValue = (): 'scalar' | 'opened' | 'closed' => {
    skipSpace();
    const c = at(i);
    switch (c) {
      case 0x7b: // {
        i++;
        push('object-key'); // before the empty check: Go counts `{}` towards the depth too
        skipSpace();
        if (at(i) === 0x7d) {
          i++;
          stack.pop();
          return 'closed';
        }
        if (at(i) !== 0x22) fail(at(i), 'looking for beginning of object key string');
        string();
        return 'opened';
      case 0x5b: // [
        i++;
        push('array');
        skipSpace();
        if (at(i) === 0x5d) {
          i++;
          stack.pop();
          return 'closed';
        }
        return 'opened';
      case 0x22:
        string();
        return 'scalar';
      case 0x74:
        literal('true');
        return 'scalar';
      case 0x66:
        literal('false');
        return 'scalar';
      case 0x6e:
        literal('null');
        return 'scalar';
      default:
        if (c === 0x2d || isDigit(c)) {
          number();
          return 'scalar';
        }
        return fail(c, 'looking for beginning of value');
    }
  };

  let state = beginValue();
  for (;;) {
    // An array that was just opened needs its first element.
    if (state === 'opened' && stack[stack.length - 1] === 'array') {
      state = beginValue();
      continue;
    }
    const top = stack[stack.length - 1];
    if (top === undefined) break;
    skipSpace();
    const c = at(i);
    if (top === 'object-key') {
      if (c !== 0x3a) fail(c, 'after object key');
      i++;
      stack[stack.length - 1] = 'object-value';
      state = beginValue();
    } else if (top === 'object-value') {
      if (c === 0x2c) {
        i++;
        skipSpace();
        if (at(i) !== 0x22) fail(at(i), 'looking for beginning of object key string');
        stack[stack.length - 1] = 'object-key';
        string();
        state = 'opened';
      } else if (c === 0x7d) {
        i++;
        stack.pop();
        state = 'closed';
      } else {
        fail(c, 'after object key:value pair');
      }
    } else {
      if (state === 'opened') {
        state = beginValue();
        continue;
      }
      if (c === 0x2c) {
        i++;
        state = beginValue();
      } else if (c === 0x5d) {
        i++;
        stack.pop();
        state = 'closed';
      } else {
        fail(c, 'after array element');
      }
    }
  }
  skipSpace();
  if (i < n) fail(data[i] as number, 'after top-level value');
}
