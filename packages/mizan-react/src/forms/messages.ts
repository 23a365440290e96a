/**
 * The messages of spec §2.13.2, written exactly as the server writes them
 * (`crates/mizan-core/src/form/messages.rs`), so a form shows the same words whichever side
 * found the error.
 * @module
 */

/** The messages of the form checks, by what failed. */
export const FORM_MESSAGES = {
  /** A missing value of a required field. */
  required: 'This field is required.',
  /** A key that names no field. */
  unknownField: 'Unknown field.',
  /** A value of the wrong shape (text, groups, rows, the values themselves). */
  invalid: 'Enter a valid value.',
  /** An email field's failure. */
  invalidEmail: 'Enter a valid email address.',
  /** A URL field's failure. */
  invalidUrl: 'Enter a valid URL.',
  /** An integer field's wrong value. */
  invalidInteger: 'Enter a whole number.',
  /** A decimal field's wrong value. */
  invalidDecimal: 'Enter a number.',
  /** A boolean field's wrong value. */
  invalidBoolean: 'Enter a valid boolean.',
  /** A choice that is not offered. */
  invalidChoice: 'Select a valid choice.',
  /** A multichoice or rows field that is not an array. */
  invalidList: 'Enter a list of values.',
  /** A date field's wrong value. */
  invalidDate: 'Enter a valid date.',
  /** A time field's wrong value. */
  invalidTime: 'Enter a valid time.',
  /** A datetime field's wrong value. */
  invalidDatetime: 'Enter a valid date and time.',
  /** A file field's wrong value. */
  invalidFile: 'Upload a valid file.',
  /** A file whose type is not accepted. */
  fileType: 'This file type is not allowed.',
  /** A post without JavaScript whose CSRF check failed (§2.13.5). */
  formExpired: 'Your form expired. Please submit it again.',
  /** Shorter than `min_length`. */
  minLength: (n: number): string => `Ensure this value has at least ${n} characters.`,
  /** Longer than `max_length`. */
  maxLength: (n: number): string => `Ensure this value has at most ${n} characters.`,
  /** Below `min`, written as the spec writes it. */
  minValue: (min: string): string => `Ensure this value is greater than or equal to ${min}.`,
  /** Above `max`, written as the spec writes it. */
  maxValue: (max: string): string => `Ensure this value is less than or equal to ${max}.`,
  /** More digits than `max_digits`. */
  maxDigits: (n: number): string => `Ensure that there are no more than ${n} digits in total.`,
  /** More digits after the point than `decimal_places`. */
  decimalPlaces: (n: number): string => `Ensure that there are no more than ${n} decimal places.`,
  /** Fewer options than `min_items`. */
  minOptions: (n: number): string => `Select at least ${n} options.`,
  /** More options than `max_items`. */
  maxOptions: (n: number): string => `Select at most ${n} options.`,
  /** A date or time before `min`. */
  notBefore: (min: string): string => `Ensure this value is on or after ${min}.`,
  /** A date or time after `max`. */
  notAfter: (max: string): string => `Ensure this value is on or before ${max}.`,
  /** Fewer rows than `min_items`. */
  minRows: (n: number): string => `Ensure there are at least ${n} rows.`,
  /** More rows than `max_items`. */
  maxRows: (n: number): string => `Ensure there are at most ${n} rows.`,
  /** A file over `max_size`. */
  maxSize: (n: number): string => `Ensure this file is at most ${n} bytes.`,
} as const;
