package pool

// IdleLinger is idleLinger, for the tests of package pool_test.
const IdleLinger = idleLinger
