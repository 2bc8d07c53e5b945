// Placeholder: tests/bem is only the consumer project BEM's runner (npx mgr test) reads; the
// functions under test are this repository's Python bm_api, running in the Emulator Suite.
