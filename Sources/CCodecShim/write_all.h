/*
 * write(2) until every byte is written (retrying on EINTR), for the encoders that
 * stream to a file descriptor instead of growing a buffer in memory.
 */
#ifndef SC_WRITE_ALL_H
#define SC_WRITE_ALL_H

#include <errno.h>
#include <stddef.h>
#include <unistd.h>

/* Returns 0, or the errno of the failed write. */
static inline int sc_write_all(int fd, const unsigned char *bytes, size_t length) {
    while (length > 0) {
        ssize_t n = write(fd, bytes, length);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        bytes += n;
        length -= (size_t)n;
    }
    return 0;
}

#endif
