#ifndef BACKSTOP_CGEOS_SHIM_H
#define BACKSTOP_CGEOS_SHIM_H
#include <geos_c.h>
#endif
