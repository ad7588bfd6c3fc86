/**
 * GUID text <-> the 16-byte Windows GUID struct that REFGUID points to (the GUID structure of guiddef.h, as golang.org/x/sys/windows.GUID lays it out):
 * Data1 (uint32), Data2 and Data3 (uint16) in native little-endian order, then Data4 as the last 16
 * hex digits in textual order. koffi lays the struct out from the field values, so only the split of
 * the text matters here.
 */
import { parseGuid } from '../guid';

export interface GuidStruct {
  Data1: number;
  Data2: number;
  Data3: number;
  Data4: number[];
}

/** undefined when `text` is not a 36-character GUID (go-winio's rule: no braces, hex either case). */
export function guidToStruct(text: string): GuidStruct | undefined {
  const g = parseGuid(text);
  if (g === undefined) return undefined;
  const hex = g.replace(/-/g, '');
  const data4: number[] = [];
  for (let i = 16; i < 32; i += 2) data4.push(parseInt(hex.slice(i, i + 2), 16));
  return {
    Data1: parseInt(hex.slice(0, 8), 16),
    Data2: parseInt(hex.slice(8, 12), 16),
    Data3: parseInt(hex.slice(12, 16), 16),
    Data4: data4,
  };
}

export function structToGuid(g: GuidStruct): string {
  const h = (n: number, width: number) => n.toString(16).padStart(width, '0');
  const d4 = g.Data4.map((b) => h(b, 2)).join('');
  return `${h(g.Data1, 8)}-${h(g.Data2, 4)}-${h(g.Data3, 4)}-${d4.slice(0, 4)}-${d4.slice(4)}`;
}
