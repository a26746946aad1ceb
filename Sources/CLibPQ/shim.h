#ifndef ESTATE_CLIBPQ_SHIM_H
#define ESTATE_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
