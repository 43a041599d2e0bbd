#ifndef STYLIZE_CODEC_SHIM_H
#define STYLIZE_CODEC_SHIM_H
/// Version of the codec shim (placeholder until the codecs land).
int stylize_codec_shim_version(void);
#endif
