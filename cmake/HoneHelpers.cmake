# Shared CMake helpers: warnings, layering checks and the Qt Test registration used by every test.

# Warnings for Hone's own code (third-party headers come in as -isystem and stay quiet).
function(hone_set_warnings target)
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor)
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
        # GCC 12 at -O3 reports impossible overlaps inside libstdc++'s std::string (GCC bug 105329).
        target_compile_options(${target} PRIVATE -Wno-restrict)
    endif()
    if(HONE_WERROR)
        target_compile_options(${target} PRIVATE -Werror)
    endif()
endfunction()

# Fails the configure step if a library that must stay Qt-free links Qt (the engine must build on GPU hosts
# that have only LibTorch).
function(hone_assert_no_qt target)
    get_target_property(libs ${target} LINK_LIBRARIES)
    if(libs)
        foreach(lib IN LISTS libs)
            if(lib MATCHES "^Qt[56]?::")
                message(FATAL_ERROR "Layering: ${target} must not link Qt (found ${lib})")
            endif()
        endforeach()
    endif()
endfunction()

# hone_add_test(tst_name SOURCES a.cpp ... LIBS lib ... LABELS unit|integration|ui|gpu|slow [TIMEOUT s])
# One Qt Test executable per unit, registered with CTest. Tests find the shared fixtures through
# HONE_FIXTURES_DIR and write artifacts (screenshots, reports) under HONE_TEST_ARTIFACTS.
function(hone_add_test name)
    cmake_parse_arguments(T "" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
    add_executable(${name} ${T_SOURCES})
    set_target_properties(${name} PROPERTIES AUTOMOC ON)
    target_link_libraries(${name} PRIVATE ${T_LIBS} Qt6::Test hone_test_support)
    hone_set_warnings(${name})
    add_test(NAME ${name} COMMAND ${name})
    if(NOT T_TIMEOUT)
        set(T_TIMEOUT 300)
    endif()
    if(NOT T_LABELS)
        set(T_LABELS unit)
    endif()
    set_tests_properties(${name} PROPERTIES
        LABELS "${T_LABELS}"
        TIMEOUT ${T_TIMEOUT}
        ENVIRONMENT "QT_QPA_PLATFORM=offscreen;HONE_FIXTURES_DIR=${HONE_FIXTURES_DIR};HONE_SOURCE_DIR=${PROJECT_SOURCE_DIR};HONE_TEST_ARTIFACTS=${PROJECT_BINARY_DIR}/test-artifacts;HONE_BINARY_DIR=${PROJECT_BINARY_DIR};OMP_NUM_THREADS=2")
endfunction()
