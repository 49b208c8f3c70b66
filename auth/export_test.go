package auth

// VerifyCacheLen returns how many tokens v's cache holds, for tests.
func VerifyCacheLen(v *Verifier) int {
	if v.cache == nil {
		return 0
	}
	v.cache.mu.RLock()
	defer v.cache.mu.RUnlock()
	return len(v.cache.young) + len(v.cache.old)
}
