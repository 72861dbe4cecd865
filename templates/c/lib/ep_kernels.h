/* edgeprune MCU kernels: umbrella header (float32 and int8, NCHW, batch 1; header-only, static inline). */
#ifndef EP_KERNELS_H
#define EP_KERNELS_H
#include "ep_common.h"
#include "ep_mac.h"
#include "ep_math.h"
#include "ep_conv.h"
#include "ep_dense.h"
#include "ep_pool.h"
#include "ep_elementwise.h"
#include "ep_reduce.h"
#include "ep_argmax.h"
#include "ep_data.h"
#include "ep_data_s8.h"
#include "ep_sparse.h"
#include "ep_int8_common.h"
#include "ep_int8_quant.h"
#include "ep_int8_pool.h"
#include "ep_int8_add.h"
#include "ep_float_tail.h"
#include "ep_int8_conv.h"
#include "ep_int8_dense.h"
#include "ep_int8_sparse.h"
#endif /* EP_KERNELS_H */
