namespace Navarch.Testing;
