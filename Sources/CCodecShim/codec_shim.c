#include "codec_shim.h"
int stylize_codec_shim_version(void) { return 1; }
