// header_compiles_as_cxx: clprop.h compiles as C++ with strict warnings, and its functions link
// from C++ against the shared library, which only works while the header keeps its extern "C"
// block (C++ would look for mangled names otherwise).
#include <clprop.h>

#include <cstdio>
#include <cstring>

int main()
{
    clprop_net_desc shape = {}; // "zero means default" holds for C++'s value-initialisation too
    clprop_activation activation = CLPROP_ACTIVATION_SIGMOID;
    if (std::strcmp(clprop_version(), CLPROP_VERSION_STRING) != 0 || shape.layer_count != 0 ||
        !clprop_activation_from_name("relu", &activation) ||
        activation != CLPROP_ACTIVATION_RELU) {
        std::fprintf(stderr, "the library (%s) and its header (%s) disagree\n", clprop_version(),
                     CLPROP_VERSION_STRING);
        return 1;
    }
    std::printf("clprop %s from C++: %s\n", clprop_version(), clprop_status_name(CLPROP_ERROR_IO));
    return 0;
}
