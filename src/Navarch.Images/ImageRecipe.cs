namespace Navarch.Images;

/// <summary>Everything a single-layer image is made of: its name, runtime config and file tree.</summary>
public sealed record ImageRecipe(ImageReference Reference, ImageConfig Config, RootFs RootFs);
