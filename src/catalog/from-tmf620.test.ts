import { describe, expect, it } from 'vitest';
import { entityIdOf, readSpecification, semanticVersion } from './from-tmf620.js';

const characteristicOf = (c: object) => {
  const read = readSpecification(
    { id: 'PS-1', name: 'Test', version: '1', productSpecCharacteristic: [c] },
    '',
  );
  if ('problems' in read) throw new Error(JSON.stringify(read.problems));
  return read.product.characteristics![0];
};

describe('a TMF620 characteristic as a catalogue characteristic', () => {
  it('moves the open ends of an integer range inward and keeps a number range as it is', () => {
    const range = { valueFrom: 1, valueTo: 10, rangeInterval: 'open' };
    expect(
      characteristicOf({
        name: 'n',
        valueType: 'integer',
        productSpecCharacteristicValue: [range],
      }),
    ).toMatchObject({ minimum: 2, maximum: 9 });
    expect(
      characteristicOf({
        name: 'n',
        valueType: 'decimal',
        productSpecCharacteristicValue: [range],
      }),
    ).toMatchObject({ type: 'number', minimum: 1, maximum: 10 });
  });

  it('lists no allowed values when they are extensible, or when the type is boolean', () => {
    const values = [{ value: 'Cisco' }, { value: 'Yealink' }];
    expect(
      characteristicOf({ name: 'm', extensible: true, productSpecCharacteristicValue: values }),
    ).toEqual({ name: 'm', type: 'string' });
    expect(
      characteristicOf({ name: 'b', productSpecCharacteristicValue: [{ value: true }] }),
    ).toEqual({ name: 'b', type: 'boolean' });
  });

  it('takes the type from the values when the characteristic does not say', () => {
    expect(
      characteristicOf({
        name: 'seats',
        productSpecCharacteristicValue: [{ value: 5 }, { value: 10 }],
      }),
    ).toEqual({ name: 'seats', type: 'integer', enum: [5, 10] });
  });
});

describe('names and versions', () => {
  it('reads versions as written in catalogues', () => {
    expect(['2', '2.1', 'v3', '1.4.2-beta', 'V10.0.1'].map(semanticVersion)).toEqual([
      '2.0.0',
      '2.1.0',
      '3.0.0',
      '1.4.2',
      '10.0.1',
    ]);
    expect(semanticVersion('spring release')).toBeUndefined();
  });

  it('makes entity ids from product names', () => {
    expect(entityIdOf('Business Fibre Broadband')).toBe('businessFibreBroadband');
    expect(entityIdOf('4G Backup – SIM')).toBe('product4gBackupSim');
    expect(entityIdOf('Téléphonie IP')).toBe('telephonieIp');
  });
});
