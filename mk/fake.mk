# The fake computenetwork library (hns/sim/fake): a Linux .so for the FFI tests and a Windows DLL
# for nat.exe under Wine. Each is built only when its compiler is present.
FAKE_SRC := hns/sim/fake/computenetwork.c
FAKE_CFLAGS := -O2 -Wall -Wextra -Werror
HAVE_GCC := $(shell command -v gcc 2>/dev/null)
HAVE_MINGW := $(shell command -v x86_64-w64-mingw32-gcc 2>/dev/null)

dist/libcomputenetwork.so: $(FAKE_SRC)
	@mkdir -p dist
	gcc -shared -fPIC $(FAKE_CFLAGS) -fvisibility=hidden -o $@ $<

dist/computenetwork.dll: $(FAKE_SRC)
	@mkdir -p dist
	x86_64-w64-mingw32-gcc -shared $(FAKE_CFLAGS) -o $@ $< -lole32 -lws2_32

ifneq ($(HAVE_GCC),)
build: dist/libcomputenetwork.so
endif
ifneq ($(HAVE_MINGW),)
build: dist/computenetwork.dll
endif

# `make test` installs the compilers (as root) before building these.
TEST_DEBS += gcc gcc-mingw-w64-x86-64
TEST_PREREQS += dist/libcomputenetwork.so dist/computenetwork.dll
