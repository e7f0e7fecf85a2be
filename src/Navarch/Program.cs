Console.WriteLine("navarch");
