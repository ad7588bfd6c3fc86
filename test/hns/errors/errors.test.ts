import { describe, expect, it } from 'vitest';
import {
  HR,
  HnsError,
  errorRecordJson,
  formatHresult,
  hasHresult,
  hresultMessage,
  hresultName,
  isHnsError,
  isNotFound,
  toSigned,
} from '../../../hns/errors';
import { guidEquals, isGuid, isZeroGuid, normalizeGuid, parseGuid, randomGuid, ZERO_GUID } from '../../../hns/guid';

describe('HRESULT table', () => {
  it('names and messages of HCN and Win32 codes, signed or unsigned', () => {
    expect(hresultName(0x803b0013)).toBe('HCN_E_PORT_ALREADY_EXISTS');
    expect(hresultName(toSigned(0x803b0013))).toBe('HCN_E_PORT_ALREADY_EXISTS');
    expect(hresultMessage(0x803b0001)).toBe('The network was not found.');
    expect(hresultName(0x80070490)).toBe('ERROR_NOT_FOUND');
    expect(hresultMessage(-2147023728)).toBe('Element not found.');
    expect(hresultName(0x80004001)).toBe('E_NOTIMPL');
    expect(hresultName(0x800706ba)).toBe('RPC_S_SERVER_UNAVAILABLE');
    expect(hresultName(0x803b0029)).toBe('GCN_E_DEFAULTNAMESPACE_EXISTS');
    expect(hresultName(0x80071234)).toBe('HRESULT_0x80071234');
    expect(hresultMessage(0x80071234)).toBe('Win32 error 4660.');
    expect(HR.HCN_E_ENDPOINT_NAMESPACE_ALREADY_EXISTS).toBe(0x803b002b);
    expect(formatHresult(-2143617023)).toBe('0x803B0001');
  });

  it('every facility-0x3B code from 0x803B0001 to 0x803B0035 has a name', () => {
    for (let hr = 0x803b0001; hr <= 0x803b0035; hr++) expect(hresultName(hr)).toMatch(/^(HCN|GCN)_E_/);
  });

  it('error records as HNS writes them', () => {
    expect(errorRecordJson(0x80070490)).toBe('{"Success":false,"Error":"Element not found. ","ErrorCode":2147943568}');
    expect(errorRecordJson(HR.E_INVALIDARG)).toBe(
      '{"Success":false,"Error":"The parameter is incorrect. ","ErrorCode":2147942487}',
    );
    expect(JSON.parse(errorRecordJson(HR.HCN_E_DEGRADED_OPERATION, 'Entity x is in invalid State')).Error).toBe(
      'There was an operation attempted on a degraded object. Entity x is in invalid State',
    );
  });
});

describe('HnsError', () => {
  it('carries the call, unsigned HRESULT and record, and says so in its message', () => {
    const rec = errorRecordJson(0x803b0013);
    const e = new HnsError('HcnCreateEndpoint', toSigned(0x803b0013), rec);
    expect(e.hresult).toBe(0x803b0013);
    expect(e.call).toBe('HcnCreateEndpoint');
    expect(e.errorRecord).toBe(rec);
    expect(e.message).toBe(
      'HcnCreateEndpoint failed: HCN_E_PORT_ALREADY_EXISTS (0x803B0013): The specified port already exists.',
    );
    expect(e).toBeInstanceOf(Error);
    expect(isHnsError(e)).toBe(true);
    expect(isHnsError(new Error('x'))).toBe(false);
    expect(hasHresult(e, 0x803b0013)).toBe(true);
    expect(new HnsError('HcnOpenNamespace', 0x80070490).message).toBe(
      'HcnOpenNamespace failed: ERROR_NOT_FOUND (0x80070490): Element not found.',
    );
    expect(new HnsError('HcnX', 0, 'raw text').message).toBe('HcnX failed: S_OK (0x00000000): raw text');
  });

  it('isNotFound is true only for the "no such object" HRESULTs', () => {
    for (const hr of [0x80070490, 0x803b0001, 0x803b0002]) expect(isNotFound(new HnsError('HcnX', hr))).toBe(true);
    for (const hr of [0x803b0013, 0x80004001, 0x803b0008]) expect(isNotFound(new HnsError('HcnX', hr))).toBe(false);
    expect(isNotFound(new Error('Element not found.'))).toBe(false);
  });
});

describe('GUID helpers', () => {
  it('parse strictly, normalise to lowercase, compare without case', () => {
    expect(parseGuid('85D61148-49EF-40BB-A450-3BEBE951D838')).toBe('85d61148-49ef-40bb-a450-3bebe951d838');
    expect(parseGuid('{85d61148-49ef-40bb-a450-3bebe951d838}')).toBeUndefined();
    expect(parseGuid('85d6114849ef40bba4503bebe951d838')).toBeUndefined();
    expect(isGuid(ZERO_GUID)).toBe(true);
    expect(isZeroGuid('00000000-0000-0000-0000-000000000000')).toBe(true);
    expect(guidEquals('ABCDEF01-0000-0000-0000-000000000000', 'abcdef01-0000-0000-0000-000000000000')).toBe(true);
    expect(() => normalizeGuid('nope', 'namespace ID')).toThrow('invalid namespace ID: "nope"');
    const g = randomGuid();
    expect(g).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(randomGuid()).not.toBe(g);
  });
});
