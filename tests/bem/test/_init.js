// Consumer-project lifecycle hook that BEM's runner loads (<projectDir>/test/_init.js, BEM docs/test-framework.md).
// It only reports: test accounts BEM's setup left without an api.privateKey would make their tests
// send no credentials (and fail with 401). The project's on-create writes metadata.tag =
// 'auth:on-create' with the api keys in one write, which is what BEM's setup waits for, so the
// expected count is 0.
module.exports = () => ({
  async setup({ accounts }) {
    const missing = Object.keys(accounts).filter((k) => !accounts[k].privateKey);
    console.log(`\n  [_init] accounts without api.privateKey after BEM setup: ${missing.length}/${Object.keys(accounts).length}${missing.length ? ' (' + missing.join(', ') + ')' : ''}`);
  },
});
