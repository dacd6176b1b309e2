#ifndef BACKSTOP_CPROJ_SHIM_H
#define BACKSTOP_CPROJ_SHIM_H
#include <proj.h>
#include <geodesic.h>
#endif
