namespace Navarch.ApiServer;
