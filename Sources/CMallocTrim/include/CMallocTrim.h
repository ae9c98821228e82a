#ifndef C_MALLOC_TRIM_H
#define C_MALLOC_TRIM_H

/// Returns the heap's free memory to the operating system (glibc's malloc_trim); 0 elsewhere.
int urlpoll_malloc_trim(void);

#endif
