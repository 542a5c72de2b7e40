import { findMrzLines } from '../../functions/checks/aws/textract-mrz-lines';

/** MRZ lines among Textract LINE blocks (parsing and check digits are tested in test/unit/mrz.test.ts). */
describe('findMrzLines', () => {
  it('finds a TD3 MRZ among OCR lines, tolerating spaces and dropped trailing fillers', () => {
    const lines = [
      'PASSPORT',
      'Surname',
      'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<',
      'L898902C36 UTO7408122F1204159ZE184226B<<<<<10',
      'footer',
    ];
    expect(findMrzLines(lines)).toEqual([
      'P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<',
      'L898902C36UTO7408122F1204159ZE184226B<<<<<10',
    ]);
  });

  it('finds TD1 and TD2 blocks and maps look-alike filler glyphs to <', () => {
    expect(
      findMrzLines([
        'IDD<<T220001293<<<<<<<<<<<<<<<',
        '6408125<2010315D<<<<<<<<<<<<<4',
        'MUSTERMANN<<ERIKA<<<<<<<<<<<<<',
      ]),
    ).toHaveLength(3);
    expect(findMrzLines(['I«UTOERIKSSON««ANNA«MARIA«««««««««««', 'D231458907UTO7408122F1204159<<<<<<<6'])).toEqual([
      'I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<',
      'D231458907UTO7408122F1204159<<<<<<<6',
    ]);
  });

  it('finds nothing in text without an MRZ, nor pads lines short by more than 3 fillers', () => {
    expect(findMrzLines(['PASSPORT', 'no machine readable zone here'])).toBeNull();
    expect(
      findMrzLines(['P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<', 'L898902C36UTO7408122F1204159ZE184226B<<<<<10']),
    ).toBeNull();
  });

  it('repairs look-alike glyphs under the MRZ grammar and check digits, and nothing else', () => {
    // Textract reads the zeros of the dates as the letter O; the digits' positions and check digits fix them.
    expect(
      findMrzLines(['P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<', 'L898902C36UTO74O8122F12O4159ZE184226B<<<<<10']),
    ).toEqual(['P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<', 'L898902C36UTO7408122F1204159ZE184226B<<<<<10']);
    // A changed birth date (740813 instead of 740812) is no look-alike: left as read, its check digit fails.
    const tampered = ['P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<', 'L898902C36UTO7408132F1204159ZE184226B<<<<<10'];
    expect(findMrzLines(tampered)).toEqual(tampered);
  });
});
