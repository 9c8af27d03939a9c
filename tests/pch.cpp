// The target that builds the tests' precompiled header (tests/CMakeLists.txt, MANGFOLD_PCH);
// every test binary reuses it. Nothing else to compile here.
