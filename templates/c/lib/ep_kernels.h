/* edgeprune MCU kernels: umbrella header. */
#ifndef EP_KERNELS_H
#define EP_KERNELS_H
#include "ep_common.h"
#include "ep_conv.h"
#include "ep_dense.h"
#include "ep_pool.h"
#endif
