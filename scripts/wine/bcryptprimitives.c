/* A test fixture for Wine, never shipped: Rust's standard library (1.78 and later) calls
 * ProcessPrng from bcryptprimitives.dll, which Debian's Wine 8 lacks. Built as
 * bcryptprimitives.dll and put beside the binaries under test, it answers ProcessPrng with
 * RtlGenRandom (advapi32's SystemFunction036), which Wine has. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (!SystemFunction036(data, chunk)) {
            return FALSE;
        }
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
