namespace Sasync.Core.Simulation;

/// <summary>The state of a carp(4) virtual host.</summary>
public enum CarpState
{
    Init,
    Backup,
    Master,
}
