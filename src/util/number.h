/* Decimal numbers from text, the same whatever the process locale (a Python host may have set
 * a decimal comma): [+-]digits[.digits][e[+-]digits], nothing else (no hex, inf, nan or
 * spaces), converted with correct rounding by strtod_l in the C locale. */
#ifndef AIM_NUMBER_H
#define AIM_NUMBER_H

#include <stddef.h>

/* Parses exactly len bytes (at most 127). Returns 0, -EINVAL for another shape, -ERANGE for
 * a value beyond a double ("1e999"); *ret untouched on error. allow_sign 0 refuses a
 * leading '+' or '-'. */
int aim__parse_decimal(const char *text, size_t len, int allow_sign, double *ret);

/* The value of one hex digit (0-9, a-f, A-F), -1 for any other character. */
int aim__hex_digit(char c);

#endif
