/* The library's version, compiled in: a program can compare it with the CLPROP_VERSION_* of
 * the header it was built with. */
#include "clprop.h"

const char *clprop_version(void)
{
    return CLPROP_VERSION_STRING;
}
