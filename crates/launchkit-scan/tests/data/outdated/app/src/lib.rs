//! Empty: the fixture is resolved, never built.
